using System.Diagnostics;
using System.Globalization;
using Scalpaiboard.Testing;

namespace Scalpaiboard.Infrastructure.Tests.Testing;

/// <summary>
/// The fixtures' servers die with the test host: each is started behind <c>setpriv --pdeathsig KILL</c> from a
/// launcher thread, and Linux kills it when that thread ends. The test host's launcher thread ends only with the host
/// (a failed, cancelled or killed run); here a launcher of the test's own is ended to show the kernel doing it.
/// </summary>
public sealed class ServerLauncherTests
{
    [Fact]
    public void A_server_is_killed_when_the_launcher_that_started_it_goes_away()
    {
        var port = ServerProcess.FreePort();
        var psi = new ProcessStartInfo(RedisServer.FindBinary()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            psi.ArgumentList.Add(a);
        }
        var launcher = new ServerLauncher();
        using var server = launcher.Start(psi);
        try
        {
            ServerProcess.WaitForPort(port, TimeSpan.FromSeconds(30), () => !server.HasExited);
            Assert.Equal("redis-server", Path.GetFileName(File.ReadAllText($"/proc/{server.Id}/cmdline").Split('\0')[0]).Split(' ')[0]);

            launcher.Dispose(); // its thread ends, as the test host's does when the host dies

            Assert.True(server.WaitForExit(TimeSpan.FromSeconds(10)), "redis-server outlived the thread that started it");
            Assert.False(Posix.IsAlive(server.Id));
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }
        }
    }
}
