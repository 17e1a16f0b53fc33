/** Why the Verify buttons are disabled for a Python store (the server would refuse them). */
export const NO_HASH_CHAIN = 'Python stores have no hash chain to verify.'
