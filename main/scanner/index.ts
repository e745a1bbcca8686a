// Scanning capability, main side (issue #3). The lead wires createScanHub into the core.
export { createScanHub, type ScanHub, type ScanHubOptions, type ScanListener, type StatusListener } from './hub';
export { scannerConfigSchema, serialScannerConfigSchema, type ScannerConfig, type SerialScannerConfig } from './config';
export type { ImageInput, RgbaImage, ImageDecode } from './image';
export { SuffixFramer, type Frame, type FramerOptions, type Suffix } from './framer';
export { SerialScannerReader, type SerialReaderEvents } from './serial';
export type { ScanEvent, ScannerStatus, ParsedScan, ScanSource } from '../contract/scan';
