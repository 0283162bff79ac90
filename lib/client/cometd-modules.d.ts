// The `cometd` package's modules, imported one by one so the audience page does not carry the
// extensions and transports it never uses; their types are those of the package's index.
declare module 'cometd/Client.js' {
  export { CometD } from 'cometd';
}
declare module 'cometd/AckExtension.js' {
  export { AckExtension } from 'cometd';
}
