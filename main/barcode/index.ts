export {
  parseBarcode, normalizeScan, reject, REJECT_ERROR_KEY, MAX_BARCODE_LENGTH,
  type BarcodeParse, type BarcodeParts, type BarcodeRejection, type BarcodeTemplateCard, type BarcodeTemplates, type BarcodeLayout,
} from './parse';
export { composeBarcode, type ComposeInput } from './compose';
export { toScannedCard, MAX_LOYALTY_ID_LENGTH, MAX_PAY_TOKEN_LENGTH, type CardCheck, type CardReading } from './card';
export { matchProviderToken, type ProviderTokenFormat, type TokenFormat, type TokenParse } from './tokens';
