import type { MethodSpec, ProfileName, RunSpec } from '../shared/spec.js';
import type { RunRecord } from '../storage/run-record.js';

/** A figure an experiment draws: which record fields, one panel each. */
export interface CurvesFigure {
  /** File name without extension, e.g. `fig2`. */
  file: string;
  /** Title above the panels. */
  title: string;
  /** The panels, each a per-epoch quantity (mean ± std over seeds per method). */
  panels: Array<{ field: CurveField; title: string; percent?: boolean }>;
}

/** Per-epoch fields a curve can show. */
export type CurveField =
  | 'trainAccuracy'
  | 'validationAccuracy'
  | 'testAccuracy'
  | 'trainLoss'
  | 'l1Norm'
  | 'nTotal'
  | 'nLinear'
  | 'nConv';

/** A claim of the paper about an experiment, and how our runs test it. */
export interface Claim {
  /** The claim, word for word from `reference/paper-results.json`. */
  text: string;
  /** Looks at the finished runs and says whether the claim holds here. */
  check: (runs: ExperimentRuns) => ClaimVerdict;
}

/** A claim's verdict with the numbers behind it. */
export interface ClaimVerdict {
  /** `holds`, `does not hold`, or `not measured` (e.g. a method did not run). */
  verdict: 'holds' | 'does not hold' | 'not measured';
  /** The measured evidence, one sentence with numbers. */
  evidence: string;
}

/** The finished runs of an experiment, grouped by method (in the experiment's order). */
export interface ExperimentRuns {
  /** The methods and their runs (one per seed). */
  methods: Array<{ method: MethodSpec; runs: RunRecord[] }>;
}

/** A table of the paper, with our numbers beside the paper's. */
export interface PaperTable {
  /** Heading. */
  title: string;
  /** Key of the table's rows in `reference/paper-results.json`. */
  referenceKey: string;
  /** Columns: a field of the kept (or thresholded) model and the paper row's key for it. */
  columns: Array<{ header: string; field: TableField; reference: string }>;
  /** Rows, in the paper's order: which method, and whether its thresholded model. */
  rows: Array<{ strategy: string; optimizer: string; method: string; thresholded?: boolean }>;
}

/** Fields of a kept model a table can show. */
export type TableField = 'nTotal' | 'nLinear' | 'nConv' | 'testAccuracy' | 'trainAccuracy';

/** One of the paper's experiments, declared: what to train, record, draw and tabulate. */
export interface Experiment {
  /** CLI name, e.g. `fig2`. */
  id: string;
  /** Title in the report. */
  title: string;
  /** One paragraph on the setup, for the report. */
  setup: (profile: ProfileName) => string;
  /** The runs of a profile (methods × seeds). */
  runs: (profile: ProfileName, seeds?: number) => RunSpec[];
  /** The curve figures drawn from the runs' records. */
  figures: CurvesFigure[];
  /** Other figures (images from the runs' files): writes them into `dir`, returns their paths. */
  draw?: (
    runs: ExperimentRuns,
    dir: string,
    outDir: string,
    reference: Record<string, unknown>,
  ) => Promise<string[]>;
  /** The paper's tables, ours beside them. */
  tables?: PaperTable[];
  /**
   * What running it takes, for the report: the command and the expected time (Table 3, whose
   * data the user must supply and whose runs take hours per epoch on a CPU).
   */
  running?: (profile: ProfileName) => string;
  /** More markdown for the report (e.g. what `compact()` made of the model). */
  notes?: (runs: ExperimentRuns) => string;
  /**
   * Beyond the paper (e.g. `pareto`): run only when named, not by `--all` (which reruns the
   * paper); the report still has its section.
   */
  beyondPaper?: true;
  /** The claims of `paper-results.json` checked against the runs. */
  claims: Claim[];
  /** Key of this experiment in `reference/paper-results.json`. */
  referenceKey: string;
}
