// Config section `catalogue`: an optional small local product list (docs/catalogue.md).
import { z } from 'zod';

export const catalogueConfigSchema = z.object({
  /** JSON or CSV file with code, name, priceKop, measure, tax; relative to the config file. '' = no catalogue. */
  file: z.string().default(''),
});
export type CatalogueConfig = z.infer<typeof catalogueConfigSchema>;
