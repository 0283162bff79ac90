/**
 * The public state handed from the server to the audience page's server render: the server puts
 * it on the request before Next renders the page, the page's getServerSideProps reads it. A
 * request property (not a module shared between the two) because Next compiles page code apart
 * from the server process; a `Symbol.for` key because each side has its own copy of this module.
 */
import type { SlideshowState } from './types';

const PAGE_STATE = Symbol.for('comet-deck.page-state');

type Carrier = { [PAGE_STATE]?: SlideshowState };

export function attachPageState(request: object, state: SlideshowState): void {
  (request as Carrier)[PAGE_STATE] = state;
}

/** The state the server attached to this request, if it did (a request Next got from elsewhere has none). */
export function pageStateOf(request: object): SlideshowState | undefined {
  return (request as Carrier)[PAGE_STATE];
}
