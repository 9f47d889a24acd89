import { describe, expect, it } from 'vitest';
import { GroupL12 } from './group-l12.js';
import { L1 } from './l1.js';
import {
  checkRules,
  checkRulesMatch,
  regularizerForName,
  ruleMatches,
  rulesFromConfig,
  rulesToConfig,
} from './rules.js';

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

  it('optional round-trips through JSON and must be a boolean', () => {
    const withOptional = [{ ...rules[0]!, optional: true }, rules[1]!];
    const config = JSON.parse(JSON.stringify(rulesToConfig(withOptional)));
    expect(config[0].optional).toBe(true);
    expect('optional' in config[1]).toBe(false); // configs of plain rules are as before
    expect(rulesFromConfig(config).map((r) => r.optional)).toEqual([true, undefined]);
    expect(() => checkRules([{ ...rules[0]!, optional: 'yes' as unknown as boolean }])).toThrow(
      /rules\[0\]\.optional must be true, false or absent, got yes/,
    );
    expect(() => rulesFromConfig([{ ...config[0], optional: 1 }])).toThrow(
      /config\.rules\[0\]\.optional must be true, false or absent, got 1/,
    );
  });
});

describe('checkRulesMatch', () => {
  const names = ['dense_Dense1/kernel', 'dense_Dense1/bias'];

  it('passes when every rule matches a variable', () => {
    expect(() => checkRulesMatch('LinBreg', rules, names)).not.toThrow();
    expect(ruleMatches(rules[1]!, 'conv/kernel_3')).toBe(true);
    expect(ruleMatches(rules[0]!, 'dense_Dense1/kernel_1')).toBe(false);
  });

  it('names each rule that matches nothing, and lists the variables there are', () => {
    const keras = [
      { match: 'dense_1/kernel', regularizer: new L1({ lambda: 1 }) },
      { match: 'dense_Dense1/kernel', regularizer: new L1({ lambda: 1 }) },
      { match: /^conv/, regularizer: new L1({ lambda: 1 }) },
    ];
    expect(() => checkRulesMatch('LinBreg', keras, names)).toThrow(
      "LinBreg: rules[0] (match 'dense_1/kernel'), rules[2] (match /^conv/) match none of the 2 variables it updates: 'dense_Dense1/kernel', 'dense_Dense1/bias'. tfjs names a variable",
    );
    expect(() => checkRulesMatch('ProxGD', keras.slice(0, 1), names)).toThrow(
      /^ProxGD: rules\[0\] \(match 'dense_1\/kernel'\) matches none of .*set optional: true on a rule that may match nothing\.$/,
    );
  });

  it('lets an optional rule match nothing, and cuts a long list of names', () => {
    const optional = [{ match: 'nothing', regularizer: new L1({ lambda: 1 }), optional: true }];
    expect(() => checkRulesMatch('LinBreg', optional, names)).not.toThrow();
    const many = Array.from({ length: 40 }, (_, i) => `v${i}`);
    expect(() =>
      checkRulesMatch('LinBreg', [{ match: 'x', regularizer: new L1({ lambda: 1 }) }], many),
    ).toThrow(/'v29', … \(10 more\)\. tfjs/);
  });
});
