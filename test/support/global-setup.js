'use strict';
// Tests talk only to loopback. The Tencent SDK honours a lowercase http_proxy even for 127.0.0.1
// unless given an agent; clear proxies so that a developer's shell settings cannot reroute a test.
module.exports = async () => {
  for (const name of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) delete process.env[name];
};
