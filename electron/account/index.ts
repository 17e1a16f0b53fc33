/** The bank account domain: import this module to register the Account aggregate type. */
export { Account, CURRENCIES, RULES, type Currency, type OpenAccount } from './account'
export { Transfer, type TransferStatus } from './transfer'
export { accountType, demoCommand, demoOpen, demoUuid } from './register'
