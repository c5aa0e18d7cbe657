import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { apiKeyId, constantTimeEqual, generateApiKey, hashApiKey } from '../../shared/auth/api-key.ts';
import { grants } from './scopes.ts';

describe('API keys', () => {
  it('are dmle_<12 hex id>_<43 base64url chars>, fresh each time, stored as the sha256 of the whole key', async () => {
    const a = await generateApiKey();
    const b = await generateApiKey();
    expect(a.key).toMatch(/^dmle_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(a.key.startsWith(`dmle_${a.id}_`)).toBe(true);
    expect(new Set([a.id, b.id]).size).toBe(2);
    expect(a.key).not.toBe(b.key);
    expect(a.sha256).toBe(createHash('sha256').update(a.key).digest('hex'));
    expect(await hashApiKey(a.key)).toBe(a.sha256);
  });

  it('yield their id only when well formed', async () => {
    const { id, key } = await generateApiKey();
    expect(apiKeyId(key)).toBe(id);
    for (const text of ['', 'dmle_', `${key}x`, key.replace('dmle_', 'sk_'), key.slice(0, -1), ` ${key}`]) {
      expect(apiKeyId(text)).toBeUndefined();
    }
  });
});

describe('constantTimeEqual', () => {
  it('is string equality', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('a', '')).toBe(false);
  });
});

describe('scopes', () => {
  it('grant themselves and every scope below: read < write < admin', () => {
    expect(grants('read', 'read')).toBe(true);
    expect(grants('read', 'write')).toBe(false);
    expect(grants('write', 'read')).toBe(true);
    expect(grants('write', 'admin')).toBe(false);
    expect(grants('admin', 'write')).toBe(true);
  });
});
