export { WedgeDetector, removeScanFromValue, type WedgeKeyEvent, type WedgeDecision, type WedgeScan, type WedgeConfig } from './wedge';
export { charForCode, keysForChar, MODIFIER_CODES, type KeyState } from './keymap';
export { decodeFrame, type FrameLike, type DecodedFrame } from './frame-decode';
export { decodeFrameInWorker } from './frame-worker-client';
export { startFrameLoop, cameraProblem, CAMERA_FRAME_MS, type FrameLoop, type CameraProblem } from './frames';
