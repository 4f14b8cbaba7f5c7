using System.ComponentModel;
using System.Diagnostics;
using Xunit;

namespace Scalpaiboard.Testing;

/// <summary>Runs the shared Python reference scripts (<c>shared/acceptance/*.py</c>) with the machine's <c>python3</c>.</summary>
public static class Python
{
    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("python3", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    });

    public static bool IsAvailable => Available.Value;

    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a script and fails the test with its stderr when it exits non-zero.</summary>
    public static async Task<string> CheckedAsync(params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(args);
        Assert.True(exit == 0, $"python3 {string.Join(' ', args)} exited {exit}: {stderr}{stdout}");
        return stdout;
    }
}

/// <summary>A theory that compares with the Python reference: skipped, saying why, where python3 is missing (CI has it).</summary>
public sealed class PythonTheoryAttribute : TheoryAttribute
{
    public PythonTheoryAttribute()
    {
        if (!Python.IsAvailable)
        {
            Skip = "python3 is not on PATH: the reference backtest (shared/acceptance/backtest_ref.py) and its scorer need it";
        }
    }
}

/// <summary>A fact that needs the Python reference scripts: skipped, saying why, where python3 is missing (CI has it).</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (!Python.IsAvailable)
        {
            Skip = "python3 is not on PATH: the shared reference scripts (shared/acceptance/*.py) need it";
        }
    }
}
