import { regularizerFromConfig } from './from-config.js';
import { NoRegularizer } from './no-regularizer.js';
import type { Regularizer, RegularizerConfig } from './regularizer.js';
import { checkRegularizer } from './validation.js';

/**
 * Which regularizer applies to which variable. `match` is tested against the variable's
 * name (`tf.Variable.name`, e.g. `dense_Dense1/kernel`): a string must equal the name, a
 * RegExp must `test` it. The first rule that matches wins; a variable no rule matches gets
 * `J = 0` (it is trained like SGD / Adam would train it).
 */
export interface RegularizerRule {
  /** The variable name (exact) or a pattern on it. */
  match: string | RegExp;
  /** The regularizer `J` for the matching variables. */
  regularizer: Regularizer;
}

/**
 * A {@link RegularizerRule} as plain JSON (a RegExp by its source and flags). Strings are
 * stored with `%` and `_` percent-encoded (`%25`, `%5F`): tfjs-layers camel-cases every
 * string value containing `_` when it loads a saved model's optimizer config
 * (`dense_Dense1/kernel` would come back as `denseDense1/kernel`).
 */
export interface RegularizerRuleConfig {
  /** The exact name, or a RegExp's `source` and `flags` (encoded as above). */
  match: string | EncodedRegExp;
  /** The regularizer's `getConfig()`. */
  regularizer: RegularizerConfig;
}

/** A RegExp as JSON. */
export interface EncodedRegExp {
  /** `RegExp.source`, with `%` and `_` percent-encoded. */
  source: string;
  /** `RegExp.flags`. */
  flags: string;
}

/** Checks a rule list; errors name the offending rule and what is allowed. */
export function checkRules(rules: readonly RegularizerRule[]): void {
  if (!Array.isArray(rules)) {
    throw new TypeError(`rules must be an array of {match, regularizer}, got ${String(rules)}`);
  }
  rules.forEach((rule, i) => {
    const match = rule?.match;
    if (!(typeof match === 'string' || match instanceof RegExp)) {
      throw new TypeError(`rules[${i}].match must be a string or a RegExp, got ${String(match)}`);
    }
    checkRegularizer(`rules[${i}].regularizer`, rule.regularizer);
  });
}

/** The regularizer of the first rule matching `name`, or `NoRegularizer` when none does. */
export function regularizerForName(rules: readonly RegularizerRule[], name: string): Regularizer {
  for (const { match, regularizer } of rules) {
    if (typeof match === 'string' ? match === name : testPattern(match, name)) return regularizer;
  }
  return new NoRegularizer();
}

function testPattern(pattern: RegExp, name: string): boolean {
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between calls
  return pattern.test(name);
}

/** Rules as plain JSON, for `getConfig()`. */
export function rulesToConfig(rules: readonly RegularizerRule[]): RegularizerRuleConfig[] {
  return rules.map(({ match, regularizer }) => ({
    match:
      typeof match === 'string'
        ? encode(match)
        : { source: encode(match.source), flags: match.flags },
    regularizer: regularizer.getConfig(),
  }));
}

/** Inverse of {@link rulesToConfig}. */
export function rulesFromConfig(config: readonly RegularizerRuleConfig[]): RegularizerRule[] {
  if (!Array.isArray(config)) {
    throw new TypeError(`config.rules must be an array, got ${String(config)}`);
  }
  return config.map(({ match, regularizer }, i) => {
    if (typeof match !== 'string' && typeof match?.source !== 'string') {
      throw new TypeError(
        `config.rules[${i}].match must be a string or {source, flags}, got ${JSON.stringify(match)}`,
      );
    }
    return {
      match:
        typeof match === 'string' ? decode(match) : new RegExp(decode(match.source), match.flags),
      regularizer: regularizerFromConfig(regularizer),
    };
  });
}

/** Percent-encodes `%` and `_` so that tfjs-layers' config conversion leaves the string alone. */
function encode(text: string): string {
  return text.replace(/%/g, '%25').replace(/_/g, '%5F');
}

function decode(text: string): string {
  return text.replace(/%5F/g, '_').replace(/%25/g, '%');
}
