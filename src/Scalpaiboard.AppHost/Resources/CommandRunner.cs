using System.Diagnostics;
using Scalpaiboard.AppHost.Supervision;

namespace Scalpaiboard.AppHost.Resources;

/// <summary>Runs a short command to completion (initdb, chown, dotnet build), optionally as another user when root.</summary>
public static class CommandRunner
{
    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, string? asUser = null,
        string? workingDirectory = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var argv = new List<string>();
        if (asUser is not null && Posix.IsRoot)
        {
            argv.AddRange(["setpriv", $"--reuid={asUser}", $"--regid={asUser}", "--init-groups"]);
        }
        argv.Add(file);
        argv.AddRange(args);
        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in argv.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Result(process.ExitCode, (await stdout) + (await stderr));
    }
}
