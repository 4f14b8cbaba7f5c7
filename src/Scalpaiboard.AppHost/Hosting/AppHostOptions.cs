using System.Globalization;

namespace Scalpaiboard.AppHost.Hosting;

/// <summary>The AppHost's own settings, from its command line (see <see cref="Usage"/>).</summary>
public sealed record AppHostOptions
{
    public int DashboardPort { get; init; } = 18888;

    public int GatewayPort { get; init; } = 8080;

    public int WebPort { get; init; } = 5000;

    /// <summary>Data folder (PostgreSQL data, secrets, pid file); default: .scalpaiboard under the repository root.</summary>
    public string? DataPath { get; init; }

    /// <summary>Only these resources (null: all).</summary>
    public IReadOnlyList<string>? Only { get; init; }

    /// <summary>ASPNETCORE_ENVIRONMENT / DOTNET_ENVIRONMENT for the services unless the caller set them.</summary>
    public string Environment { get; init; } = "Development";

    /// <summary>Do not build projects whose output is missing; fail instead.</summary>
    public bool NoBuild { get; init; }

    public const string Usage = """
        Scalpaiboard AppHost: starts PostgreSQL, Redis and the services, supervises them, serves the dashboard.

        Usage: ./run.sh [options]      (or: dotnet run --project src/Scalpaiboard.AppHost -- [options])

          --dashboard-port <port>   dashboard and its API (default 18888)
          --gateway-port <port>     Gateway: REST /api, WebSocket /ws, /docs (default 8080)
          --web-port <port>         web UI (default 5000)
          --data <folder>           data folder (default: .scalpaiboard in the repository root)
          --only <names>            start only these resources, comma-separated (e.g. postgres,redis)
          --environment <name>      services' ASPNETCORE_ENVIRONMENT when not set by the caller (default Development)
          --no-build                never build a project whose output is missing
          -h, --help                this text

        Environment: ConnectionStrings__postgres / ConnectionStrings__redis use those servers instead of starting
        our own; every other variable (Ingest__Feed=replay, ...) reaches every service.
        """;

    /// <summary>Parses the command line; returns null with an error message (or the usage text for --help).</summary>
    public static (AppHostOptions? Options, string? Message) Parse(IReadOnlyList<string> args)
    {
        var options = new AppHostOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }
                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{arg} needs a value.");
                }
                return args[++i];
            }
            try
            {
                options = arg switch
                {
                    "-h" or "--help" => throw new HelpRequested(),
                    "--dashboard-port" => options with { DashboardPort = Port(arg, Value()) },
                    "--gateway-port" => options with { GatewayPort = Port(arg, Value()) },
                    "--web-port" => options with { WebPort = Port(arg, Value()) },
                    "--data" => options with { DataPath = Path.GetFullPath(Value()) },
                    "--only" => options with { Only = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                    "--environment" => options with { Environment = Value() },
                    "--no-build" => options with { NoBuild = true },
                    _ => throw new FormatException($"Unknown option {arg}."),
                };
            }
            catch (HelpRequested)
            {
                return (null, Usage);
            }
            catch (FormatException e)
            {
                return (null, e.Message + " See --help.");
            }
        }
        return (options, null);
    }

    private static int Port(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new FormatException($"{option}: '{value}' is not a port number.");

    private sealed class HelpRequested : Exception;
}
