import { describe, expect, it } from 'vitest';
import { GroupL12 } from './group-l12.js';
import { L1 } from './l1.js';
import { checkRules, regularizerForName, rulesFromConfig, rulesToConfig } from './rules.js';

const rules = [
  { match: 'dense_Dense1/kernel', regularizer: new L1({ lambda: 1 }) },
  { match: /kernel(_\d+)?$/g, regularizer: new GroupL12({ lambda: 2, reduceAxes: [0] }) },
];

describe('regularizer rules', () => {
  it('a string matches the whole name, a RegExp tests it, the first match wins, none → J = 0', () => {
    const type = (name: string) => regularizerForName(rules, name).getConfig().type;
    expect(type('dense_Dense1/kernel')).toBe('L1');
    expect(type('dense_Dense1/kernel_1')).toBe('GroupL12');
    // a /g pattern keeps lastIndex between calls: matching must not depend on it
    expect(type('conv/kernel')).toBe('GroupL12');
    expect(type('conv/kernel')).toBe('GroupL12');
    expect(type('dense_Dense1/bias')).toBe('None');
  });

  it('round-trips through JSON with every underscore and percent sign encoded', () => {
    const withPercent = [...rules, { match: '50%_x', regularizer: new L1({ lambda: 3 }) }];
    const config = JSON.parse(JSON.stringify(rulesToConfig(withPercent)));
    expect(JSON.stringify(config)).not.toContain('_');
    const back = rulesFromConfig(config);
    expect(back.map((r) => r.match)).toEqual(withPercent.map((r) => r.match));
    expect(back.map((r) => r.regularizer.getConfig())).toEqual(
      withPercent.map((r) => r.regularizer.getConfig()),
    );
  });

  it('bad rules name the offending entry', () => {
    expect(() =>
      checkRules([{ match: 1 as unknown as string, regularizer: new L1({ lambda: 1 }) }]),
    ).toThrow(/rules\[0\].match must be a string or a RegExp/);
    expect(() =>
      rulesFromConfig([
        { match: {} as { source: string; flags: string }, regularizer: { type: 'L1', lambda: 1 } },
      ]),
    ).toThrow(/config.rules\[0\].match must be a string or \{source, flags\}/);
  });
});
