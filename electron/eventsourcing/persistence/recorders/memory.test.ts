import { describeRecorderContract } from '../../../../test/recorderContract'
import { createMemoryStore } from './memory'

describeRecorderContract('memory', async () => createMemoryStore())
