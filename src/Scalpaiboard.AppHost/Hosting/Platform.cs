// The AppHost drives Linux processes (signals, /proc, setpriv, setsid): it runs on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
