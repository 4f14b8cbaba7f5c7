using System.CommandLine;

namespace Scalpaiboard.Cli.Commands;

/// <summary><c>scalp indicators</c> (see CONTRACT.md). Placeholder until its implementation lands: fails loudly.</summary>
public static class IndicatorsCommand
{
    public static Command Create()
    {
        var command = new Command("indicators", "Not available yet.");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("scalp indicators: not implemented yet");
            return 2;
        });
        return command;
    }
}
