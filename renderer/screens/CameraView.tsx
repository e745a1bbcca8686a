// The webcam in the card panel: getUserMedia video (no audio), ~8 frames a second drawn to a canvas
// and decoded in the renderer's decode worker (renderer/scan startFrameLoop → zxing-wasm). The first code
// found is handed up and the camera is switched off; Esc or the button closes it. Frames never leave
// the renderer: only the decoded text goes to the core (scan.camera).
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../lib/i18n';
import { KeyButton } from '../lib/keys';
import { cameraProblem, startFrameLoop, type CameraProblem, type DecodedFrame, type FrameLoop } from '../scan';

/** Frames are decoded at most this wide (a 1080p frame costs four times a 960 one, for no gain at arm's length). */
const FRAME_MAX_WIDTH = 960;

type CameraState = 'starting' | 'live' | CameraProblem;

export interface CameraViewProps {
  onCode: (code: DecodedFrame) => void;
  onClose: () => void;
}

export function CameraView({ onCode, onClose }: CameraViewProps): ReactNode {
  const { t } = useI18n();
  const videoRef = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<CameraState>('starting');
  const onCodeRef = useRef(onCode);
  onCodeRef.current = onCode;

  useEffect(() => {
    let cancelled = false;
    let stream: MediaStream | null = null;
    let loop: FrameLoop | null = null;
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const release = (): void => {
      loop?.stop();
      for (const track of stream?.getTracks() ?? []) track.stop();
      stream = null;
      const video = videoRef.current;
      if (video) video.srcObject = null;
    };

    const start = async (): Promise<void> => {
      const media = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
      if (!media?.getUserMedia) {
        setState('camera.none'); // no camera API at all (old browser, or not a secure context)
        return;
      }
      let opened: MediaStream;
      try {
        opened = await media.getUserMedia({ audio: false, video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } } });
      } catch (error) {
        if (!cancelled) setState(cameraProblem(error));
        return;
      }
      stream = opened;
      const video = videoRef.current;
      if (cancelled || !video) {
        release();
        return;
      }
      video.srcObject = opened;
      await video.play().catch(() => undefined);
      if (cancelled) return;
      setState('live');
      loop = startFrameLoop({
        grab: () => {
          if (!ctx || video.readyState < 2 || video.videoWidth === 0) return null;
          const scale = Math.min(1, FRAME_MAX_WIDTH / video.videoWidth);
          const width = Math.round(video.videoWidth * scale);
          const height = Math.round(video.videoHeight * scale);
          if (canvas.width !== width || canvas.height !== height) {
            canvas.width = width;
            canvas.height = height;
          }
          ctx.drawImage(video, 0, 0, width, height);
          return ctx.getImageData(0, 0, width, height);
        },
        onCode: (code) => {
          release();
          onCodeRef.current(code);
        },
      });
    };
    void start();
    return () => {
      cancelled = true;
      release();
    };
  }, []);

  const problem = state !== 'starting' && state !== 'live';
  return (
    <div className="camera" data-testid="camera" data-state={state}>
      {problem
        ? <div className="camera-error" role="alert" data-testid="camera-error">{t(state)}</div>
        : <video ref={videoRef} className="camera-video" muted playsInline data-testid="camera-video" />}
      <div className="camera-bar">
        {!problem ? <span className="camera-hint" data-testid="camera-hint">{state === 'live' ? t('camera.hint') : t('camera.starting')}</span> : <span className="spacer" />}
        <KeyButton k="Escape" onPress={onClose} testId="camera-close">{t('camera.close')}</KeyButton>
      </div>
    </div>
  );
}
