export { WedgeDetector, removeScanFromValue, type WedgeKeyEvent, type WedgeDecision, type WedgeScan, type WedgeConfig } from './wedge';
export { charForCode, keysForChar, MODIFIER_CODES, type KeyState } from './keymap';
export { createFrameDecoder, type FrameLike } from './camera';
export { startFrameLoop, decodeStill, cameraProblem, CAMERA_FRAME_MS, type DecodedFrame, type FrameLoop, type CameraProblem } from './frames';
