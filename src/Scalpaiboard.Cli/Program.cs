using System.CommandLine;
using Scalpaiboard.Cli.Commands;

var root = new RootCommand("scalp: Scalpaiboard's market engine on the command line (indicators, scan, backtest, bench).")
{
    IndicatorsCommand.Create(),
    ScanCommand.Create(),
    BacktestCommand.Create(),
    BenchCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
