/**
 * The page's one way to the Eventscope service: the API client and the status of the transport
 * under it. main.tsx makes it once and hands it to the app; components and hooks take it from
 * this context (useApi, useTransportStatus), and tests provide their fake the same way.
 */
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react'
import type { ExplorerApi } from '../../shared/contract'
import type { TransportStatus } from './transport/websocket'

export type { TransportStatus } from './transport/websocket'

export interface Service {
  api: ExplorerApi
  /** The transport's status now (IPC is always 'open'). */
  transportStatus(): TransportStatus
  /** Calls `listener` on every change of status; returns the unsubscribe. */
  onTransportStatus(listener: (status: TransportStatus) => void): () => void
}

const ServiceContext = createContext<Service | null>(null)

export function ServiceProvider({ service, children }: { service: Service; children: ReactNode }) {
  return <ServiceContext.Provider value={service}>{children}</ServiceContext.Provider>
}

export function useService(): Service {
  const service = useContext(ServiceContext)
  if (!service) throw new Error('useService: no ServiceProvider above this component')
  return service
}

export function useApi(): ExplorerApi {
  return useService().api
}

export function useTransportStatus(): TransportStatus {
  const service = useService()
  return useSyncExternalStore(service.onTransportStatus, service.transportStatus)
}
