import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { koshelekConfigSchema } from '../payapi/koshelek/config';
import { Catalogue, gs1CheckOk, lookupable, parseCatalogue } from './catalogue';

const enums = koshelekConfigSchema.parse({}).enums;
let dir = '';
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('catalogue file', () => {
  it('check digits: real EAN-13 / EAN-8 codes pass, a changed digit fails', () => {
    expect(gs1CheckOk('4600682000013')).toBe(true);
    expect(gs1CheckOk('4006381333931')).toBe(true);
    expect(gs1CheckOk('96385074')).toBe(true);
    expect(gs1CheckOk('4006381333932')).toBe(false);
    expect(lookupable('123')).toBe(true);
    expect(lookupable('1234567')).toBe(false);
  });

  it('reads JSON and a semicolon CSV written by Excel (BOM, CRLF, quoted names)', () => {
    const json = parseCatalogue(JSON.stringify([{ code: '4006381333931', name: 'Карандаш', priceKop: 4500, measure: 'PIECE', tax: 'vat20' }, { code: '101', name: 'Яблоки', priceKop: 12990, measure: 'KILOGRAM', tax: 'vat10' }]), 'json', enums);
    expect(json.ok && json.items.get('101')?.measure).toBe('KILOGRAM');
    const csv = parseCatalogue('\uFEFFcode;name;priceKop;measure;tax\r\n4600682000013;"Вода ""Аква""; 0,5 л";5990;PIECE;vat20\r\n7;Хлеб;4200;;\r\n', 'csv', enums);
    expect(csv.ok).toBe(true);
    if (!csv.ok) return;
    expect(csv.items.get('4600682000013')?.name).toBe('Вода "Аква"; 0,5 л');
    expect(csv.items.get('7')).toMatchObject({ priceKop: 4200, measure: 'PIECE', tax: 'vat20' });
  });

  it('refuses a file a person got wrong, saying where', () => {
    const bad = parseCatalogue(JSON.stringify([
      { code: '4006381333932', name: 'x', priceKop: 1 },
      { code: '12', name: 'y', priceKop: 10.5 },
      { code: '13', name: 'z', priceKop: 100, measure: 'BARREL' },
      { code: '14', name: 'w', priceKop: 100, tax: 'vat18' },
      { code: '15', name: 'v', priceKop: 100 }, { code: '15', name: 'v2', priceKop: 100 },
    ]), 'json', enums);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.join('\n')).toMatch(/item 0: barcode 4006381333932 has a wrong check digit/);
    expect(bad.problems.join('\n')).toMatch(/item 1: priceKop/);
    expect(bad.problems.join('\n')).toMatch(/item 2: measure "BARREL"/);
    expect(bad.problems.join('\n')).toMatch(/item 3: tax "vat18"/);
    expect(bad.problems.join('\n')).toMatch(/item 5: code 15 appears twice/);
    expect(parseCatalogue('{"items": 3}', 'json', enums).ok).toBe(false);
    expect(parseCatalogue('{oops', 'json', enums).ok).toBe(false);
    expect(parseCatalogue('sku;title\n1;a', 'csv', enums).ok).toBe(false);
  });

  it('hot reload: an edit applies at the next lookup; a broken edit keeps the last good list', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paydesk-cat-'));
    const file = path.join(dir, 'catalogue.json');
    const reported: string[][] = [];
    const cat = new Catalogue((p) => reported.push(p));
    fs.writeFileSync(file, JSON.stringify([{ code: '101', name: 'Яблоки', priceKop: 12990 }]));
    cat.refresh(file, enums);
    expect(cat.lookup('101')?.priceKop).toBe(12990);
    fs.writeFileSync(file, JSON.stringify([{ code: '101', name: 'Яблоки', priceKop: 13990 }, { code: '102', name: 'Груши', priceKop: 20000 }]));
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    cat.refresh(file, enums);
    expect(cat.lookup('101')?.priceKop).toBe(13990);
    fs.writeFileSync(file, '[{"code": "101", "name": "Яблоки", "priceKop": "дорого"}]');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 10_000));
    cat.refresh(file, enums);
    expect(cat.lookup('101')?.priceKop).toBe(13990);
    expect(cat.status().problems[0]).toMatch(/priceKop/);
    expect(reported).toHaveLength(1);
    cat.refresh(null, enums);
    expect(cat.lookup('101')).toBeNull();
  });
});
