export declare const DEBIAN_CHROMIUM: string
export declare function findBrowser(options: {
  override?: string | undefined
  playwrightChromium?: string | undefined
  exists?: (path: string) => boolean
}): string | undefined
export declare function playwrightChromiumPath(): Promise<string | undefined>
export declare function noBrowserMessage(override?: string): string
