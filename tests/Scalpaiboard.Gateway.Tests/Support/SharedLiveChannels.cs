namespace Scalpaiboard.Gateway.Tests.Support;

/// <summary>
/// Test classes whose Gateways share the one test redis-server and publish on the same live channels
/// (<c>live:tickers</c>): every Gateway receives every message, so run them one after another, or a client in one
/// class receives another class's frame.
/// </summary>
[CollectionDefinition(nameof(SharedLiveChannels))]
public sealed class SharedLiveChannels;
