import { regularizerFromConfig } from './from-config.js';
import { NoRegularizer } from './no-regularizer.js';
import type { Regularizer, RegularizerConfigBase } from './regularizer.js';
import { checkRegularizer } from './validation.js';

/**
 * Which regularizer applies to which variable. `match` is tested against the variable's
 * name (`tf.Variable.name`, e.g. `dense_Dense1/kernel`): a string must equal the name, a
 * RegExp must `test` it. The first rule that matches wins; a variable no rule matches gets
 * `J = 0` (it is trained like SGD / Adam would train it).
 *
 * A rule must match at least one of the variables an optimizer updates: LinBreg, AdaBreg and
 * ProxGD check it on their first step (see {@link checkRulesMatch}), since a misspelt name
 * (Keras's `dense_1/kernel` for tfjs's `dense_Dense1/kernel`) would otherwise train the model
 * without its regularizer and without a word. Mark a rule `optional` when matching nothing is
 * intended (rules shared by several models).
 */
export interface RegularizerRule {
  /** The variable name (exact) or a pattern on it. */
  match: string | RegExp;
  /** The regularizer `J` for the matching variables. */
  regularizer: Regularizer;
  /** The rule may match no variable (default false: matching none is an error). */
  optional?: boolean;
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
  regularizer: RegularizerConfigBase;
  /** {@link RegularizerRule.optional}; absent when false. */
  optional?: boolean;
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
    if (rule.optional !== undefined && typeof rule.optional !== 'boolean') {
      throw new TypeError(
        `rules[${i}].optional must be true, false or absent, got ${String(rule.optional)}`,
      );
    }
  });
}

/** Whether `rule` applies to the variable named `name`. */
export function ruleMatches(rule: Pick<RegularizerRule, 'match'>, name: string): boolean {
  const { match } = rule;
  return typeof match === 'string' ? match === name : testPattern(match, name);
}

/** The regularizer of the first rule matching `name`, or `NoRegularizer` when none does. */
export function regularizerForName(rules: readonly RegularizerRule[], name: string): Regularizer {
  for (const rule of rules) {
    if (ruleMatches(rule, name)) return rule.regularizer;
  }
  return new NoRegularizer();
}

/** How many variable names an error message of {@link checkRulesMatch} lists at most. */
const LISTED_NAMES = 30;

/**
 * Throws unless every rule that is not `optional` matches at least one of `names` (the
 * variables an optimizer updates). The message names each such rule and its pattern, and
 * lists the variable names there are.
 *
 * @param owner - who checks, for the message (e.g. `'LinBreg'`).
 */
export function checkRulesMatch(
  owner: string,
  rules: readonly RegularizerRule[],
  names: readonly string[],
): void {
  const unmatched = rules
    .map((rule, i) => ({ rule, i }))
    .filter(({ rule }) => !rule.optional && !names.some((name) => ruleMatches(rule, name)));
  if (unmatched.length === 0) return;
  const which = unmatched
    .map(({ rule, i }) => `rules[${i}] (match ${describeMatch(rule.match)})`)
    .join(', ');
  const listed = names.slice(0, LISTED_NAMES).map((n) => `'${n}'`);
  const more = names.length > LISTED_NAMES ? `, … (${names.length - LISTED_NAMES} more)` : '';
  throw new Error(
    `${owner}: ${which} ${unmatched.length > 1 ? 'match' : 'matches'} none of the ${names.length} variables it updates: ${listed.join(', ')}${more}. ` +
      `tfjs names a variable '<layer name>/<weight>' with its own layer names (e.g. 'dense_Dense1/kernel', not Keras's 'dense_1/kernel'); ` +
      `rulesForModel(model, …) of @bregman/optimizers builds rules that fit a model, or set optional: true on a rule that may match nothing.`,
  );
}

function describeMatch(match: string | RegExp): string {
  return typeof match === 'string' ? `'${match}'` : String(match);
}

function testPattern(pattern: RegExp, name: string): boolean {
  pattern.lastIndex = 0; // a /g or /y pattern keeps state between calls
  return pattern.test(name);
}

/** Rules as plain JSON, for `getConfig()`. */
export function rulesToConfig(rules: readonly RegularizerRule[]): RegularizerRuleConfig[] {
  return rules.map(({ match, regularizer, optional }) => ({
    match:
      typeof match === 'string'
        ? encode(match)
        : { source: encode(match.source), flags: match.flags },
    regularizer: regularizer.getConfig(),
    ...(optional ? { optional: true } : {}),
  }));
}

/** Inverse of {@link rulesToConfig}. */
export function rulesFromConfig(config: readonly RegularizerRuleConfig[]): RegularizerRule[] {
  if (!Array.isArray(config)) {
    throw new TypeError(`config.rules must be an array, got ${String(config)}`);
  }
  return config.map(({ match, regularizer, optional }, i) => {
    if (typeof match !== 'string' && typeof match?.source !== 'string') {
      throw new TypeError(
        `config.rules[${i}].match must be a string or {source, flags}, got ${JSON.stringify(match)}`,
      );
    }
    if (optional !== undefined && typeof optional !== 'boolean') {
      throw new TypeError(
        `config.rules[${i}].optional must be true, false or absent, got ${JSON.stringify(optional)}`,
      );
    }
    return {
      match:
        typeof match === 'string' ? decode(match) : new RegExp(decode(match.source), match.flags),
      regularizer: regularizerFromConfig(regularizer),
      ...(optional ? { optional: true } : {}),
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
