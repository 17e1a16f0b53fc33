/** The seed's AES key: `aes_key = b'0123456789abcdef'` (16 bytes, AES-128). Demo use only. */
export const SEED_CIPHER_KEY = new Uint8Array(Buffer.from('0123456789abcdef', 'utf8'))
