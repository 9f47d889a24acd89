import * as tf from '@tensorflow/tfjs-core';
import { fileSystemHandler } from './file-io-handler.js';

const SCHEME = 'file://';

/** What tfjs's router registry takes (its `IORouter` type is not exported). */
type Router = Parameters<typeof tf.io.registerSaveRouter>[0];
let registered = false;

/** The `file://` router of {@link registerFileSystemRouter}: the path after the scheme. */
function fileRouter(url: string | string[]): tf.io.IOHandler | null {
  return typeof url === 'string' && url.startsWith(SCHEME)
    ? fileSystemHandler(url.slice(SCHEME.length))
    : null;
}

/**
 * Makes `model.save('file://dir')` and `tf.loadLayersModel('file://dir/model.json')` use
 * {@link fileSystemHandler} (as tfjs-node's `file://` handler does, with the same files),
 * for programs that run without tfjs-node. Call it once at start-up; importing this package
 * registers nothing.
 *
 * Does nothing when a `file://` save or load handler is already registered — by an earlier
 * call, or by `@tensorflow/tfjs-node`, whose handler writes the same files: two handlers for
 * one URL would make `model.save` fail. Import tfjs-node (if at all) before calling this.
 *
 * @returns true when this call registered the router, false when a `file://` handler was
 * already there.
 */
export function registerFileSystemRouter(): boolean {
  const probe = `${SCHEME}/`;
  if (
    registered ||
    tf.io.getSaveHandlers(probe).length > 0 ||
    tf.io.getLoadHandlers(probe).length > 0
  ) {
    return false;
  }
  // tfjs's routers answer null for URLs they do not handle; its IORouter type omits the null
  tf.io.registerSaveRouter(fileRouter as Router);
  tf.io.registerLoadRouter(fileRouter as Router);
  registered = true;
  return true;
}
