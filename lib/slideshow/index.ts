export * from './channels';
export * from './types';
export * from './parse';
export * from './history';
export * from './safe-next';
export * from './visible-text';
