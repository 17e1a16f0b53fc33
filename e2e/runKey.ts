/**
 * The run's cipher key (32 bytes, base64): the e2e store is encrypted, as users' stores will be.
 * playwright.config.ts hands it to the server and the app; specs that change the key put it back.
 * Not a secret: a fixed test value.
 */
export const CIPHER_KEY = Buffer.from('eventscope-e2e-cipher-key-32byte').toString('base64')
