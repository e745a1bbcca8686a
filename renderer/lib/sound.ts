// Short sound cues (paid / declined / scan) made with WebAudio: no files to ship, no autoplay
// surprise (the first key press unlocks audio). Off switch: localStorage 'paydesk.sound' = 'off'
// (the shortcut list toggles it).
export type Cue = 'paid' | 'declined' | 'scan';

const TONES: Record<Cue, readonly [number, number][]> = {
  paid: [[880, 0.09], [1320, 0.14]],
  declined: [[330, 0.18], [220, 0.26]],
  scan: [[1760, 0.05]],
};

let ctx: AudioContext | null = null;

export function soundEnabled(): boolean {
  try {
    return localStorage.getItem('paydesk.sound') !== 'off';
  } catch {
    return true;
  }
}

export function setSoundEnabled(on: boolean): void {
  try {
    localStorage.setItem('paydesk.sound', on ? 'on' : 'off');
  } catch {
    // a kiosk profile without storage just keeps the default
  }
}

/** Plays the cue if sound is on and the browser allows audio; never throws. Counted for tests. */
export function cue(kind: Cue): void {
  const w = window as unknown as { __paydeskCues?: Cue[] };
  (w.__paydeskCues ??= []).push(kind);
  if (!soundEnabled() || typeof AudioContext === 'undefined') return;
  try {
    ctx ??= new AudioContext();
    let at = ctx.currentTime;
    for (const [freq, seconds] of TONES[kind]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + seconds);
      at += seconds;
    }
  } catch {
    // no audio device: the screen still says it all
  }
}
