import { describe, expect, it } from 'vitest';
import { checkedReportJson, ReportContractError } from './checked-json';

describe('checkedReportJson (the report worker\'s boundary)', () => {
  it('refuses what is not a report DTO, naming the field', () => {
    expect(() => checkedReportJson({ type: 'y' })).toThrow(ReportContractError);
    expect(() => checkedReportJson({ type: 'y' })).toThrow(/broke the contract: type/);
    expect(() => checkedReportJson(null)).toThrow(/broke the contract/);
  });
});
