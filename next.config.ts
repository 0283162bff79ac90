import type { NextConfig } from 'next';

// The app is served by our own server (server/index.ts), so no standalone output:
// Next would not trace the custom server's files.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
};

export default nextConfig;
