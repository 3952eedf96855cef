// checkedLocation: the one rule for Location headers of mirror redirects and registry uploads.
import { describe, expect, it } from 'vitest';
import { checkedLocation } from '../../src/fetch/index.js';

describe('checkedLocation', () => {
  it('resolves relative Locations and allows http to https', () => {
    expect(checkedLocation('https://reg.example/v2/a/blobs/uploads/', '/v2/a/blobs/uploads/u1?state=x', 'upload Location')).toEqual({ url: 'https://reg.example/v2/a/blobs/uploads/u1?state=x' });
    expect(checkedLocation('http://m.example/x', 'https://m.example/y', 'redirect')).toEqual({ url: 'https://m.example/y' });
  });
  it('keeps user:pass@ on the same origin only', () => {
    expect(checkedLocation('https://u:p@m.example/a/x', '/b/y', 'redirect')).toEqual({ url: 'https://u:p@m.example/b/y' });
    expect(checkedLocation('https://u:p@m.example/a/x', 'https://m.example/b/y', 'redirect')).toEqual({ url: 'https://u:p@m.example/b/y' });
    expect(checkedLocation('https://u:p@m.example/a/x', 'https://cdn.example/b/y', 'redirect')).toEqual({ url: 'https://cdn.example/b/y' });
    expect(checkedLocation('https://u:p@m.example/a/x', '//cdn.example/b/y', 'redirect')).toEqual({ url: 'https://cdn.example/b/y' });
    expect(checkedLocation('https://m.example/a', 'https://evil:pw@cdn.example/b', 'redirect')).toEqual({ url: 'https://cdn.example/b' });
  });
  it.each([
    ['https://m.example/x', 'http://m.example/x', /redirect from https to http refused/],
    ['https://m.example/x', 'ftp://m.example/x', /redirect to a ftp: URL refused/],
    ['http://m.example/x', 'file:///etc/passwd', /redirect to a file: URL refused/],
    ['https://m.example/x', 'http://[::1', /redirect to an invalid URL http:\/\/\[::1/],
  ])('%s -> %s is refused', (from, to, why) => {
    const r = checkedLocation(from, to, 'redirect');
    expect('refused' in r && r.refused).toMatch(why);
  });
});
