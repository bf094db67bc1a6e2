/** node-webcam ships no types; the agent uses only create() and capture(). */
declare module 'node-webcam' {
  interface Webcam {
    capture(location: string | null, callback: (err: Error | null, data: unknown) => void): void;
  }
  const NodeWebcam: { create(options: Record<string, unknown>): Webcam };
  export default NodeWebcam;
}
