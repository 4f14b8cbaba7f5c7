using System.Collections;
using Scalpaiboard.AppHost.Hosting;

var (options, message) = AppHostOptions.Parse(args);
if (options is null)
{
    (message == AppHostOptions.Usage ? Console.Out : Console.Error).WriteLine(message);
    return message == AppHostOptions.Usage ? 0 : 2;
}
if (RepositoryLayout.Find() is not { } layout)
{
    Console.Error.WriteLine($"Run the AppHost from inside the repository: no {RepositoryLayout.SolutionFile} found above {Environment.CurrentDirectory}.");
    return 2;
}
var caller = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value);
var dataPath = DataFolders.Choose(options, layout, caller);
Directory.CreateDirectory(dataPath);
using var dataLock = DataFolderLock.TryAcquire(dataPath);
if (dataLock is null)
{
    Console.Error.WriteLine($"Another AppHost is running on the data folder {dataPath}; stop it first (or use --data).");
    return 1;
}

using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }));
var logger = loggers.CreateLogger("Scalpaiboard.AppHost");
using var probeClient = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
var (model, error) = await AppHostBuilder.PrepareAsync(options, layout, dataPath, caller, probeClient, logger, CancellationToken.None);
if (model is null)
{
    AppHostLog.StartFailed(logger, error!);
    return 1;
}

await using var app = AppHostBuilder.BuildDashboard(options, model, dataPath);
app.Lifetime.ApplicationStarted.Register(() => AppHostBuilder.PrintWelcome(options, model, dataPath));
try
{
    await app.RunAsync();
}
catch (IOException e)
{
    AppHostLog.StartFailed(logger, $"The dashboard could not listen on 127.0.0.1:{options.DashboardPort}: {e.Message}");
    return 1;
}
return 0;
