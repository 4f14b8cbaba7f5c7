// Tests of a Linux-only AppHost (signals, /proc, setpriv).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
