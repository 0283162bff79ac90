export * from './message';
export * from './channel';
export * from './errors';
