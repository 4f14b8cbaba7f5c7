using System.CommandLine;
using Scalpaiboard.Cli.Commands;

namespace Scalpaiboard.Cli.Tests;

/// <summary>Runs a <c>scalp</c> command in-process and captures what it writes to stdout and stderr.</summary>
internal static class CliRunner
{
    private static readonly SemaphoreSlim ConsoleLock = new(1, 1);

    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var root = new RootCommand { ScanCommand.Create(), BacktestCommand.Create(), BenchCommand.Create() };
        await ConsoleLock.WaitAsync();
        var (stdout, stderr) = (Console.Out, Console.Error);
        try
        {
            using var o = new StringWriter();
            using var e = new StringWriter();
            Console.SetOut(o);
            Console.SetError(e);
            var exit = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = o, Error = e });
            return (exit, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            ConsoleLock.Release();
        }
    }
}
