using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Scalpaiboard.Alerts.Services;

/// <summary>The service's one ActivitySource and Meter (<c>Scalpaiboard.Alerts</c>, exported by ServiceDefaults).</summary>
public sealed class AlertsTelemetry
{
    public const string Name = "Scalpaiboard.Alerts";

    public static readonly ActivitySource Source = new(Name);

    public AlertsTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        BatchDuration = meter.CreateHistogram<double>("alerts.batch.duration", "ms", "Time to evaluate and commit one metrics batch");
        Signals = meter.CreateCounter<long>("alerts.signals", description: "New preset signals stored");
        Triggers = meter.CreateCounter<long>("alerts.triggers", description: "User alert triggers stored");
        Deliveries = meter.CreateCounter<long>("alerts.deliveries", description: "Notification attempts by outcome");
        FirstAttemptDelay = meter.CreateHistogram<double>("alerts.delivery.first_attempt_delay", "ms",
            "From the outbox row's creation to its first attempt");
    }

    public Histogram<double> BatchDuration { get; }

    public Counter<long> Signals { get; }

    public Counter<long> Triggers { get; }

    public Counter<long> Deliveries { get; }

    public Histogram<double> FirstAttemptDelay { get; }
}
