using Baton.Storage;

namespace Baton.Server;

/// <summary>What a Baton server offers and how it guards it.</summary>
public sealed class BatonServerOptions
{
    /// <summary>Workflow files and folders (every <c>*.yaml</c> and <c>*.yml</c> file in them) that clients may start runs of.</summary>
    public IList<string> WorkflowFiles { get; } = [];

    /// <summary>Where runs are kept; required (a durable store, so runs survive the server).</summary>
    public IRunStore? Store { get; set; }

    /// <summary>
    /// The bearer token every request must carry (<c>Authorization: Bearer TOKEN</c>); null for none. Without one, only
    /// requests from a loopback address are served (<see cref="AllowRemoteWithoutToken"/> lifts that).
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Serve requests from other machines without a token (only behind a proxy that authenticates them).</summary>
    public bool AllowRemoteWithoutToken { get; set; }

    /// <summary>The largest request body accepted, in bytes (1 MiB by default); larger bodies are refused with 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The most runs <c>GET /api/runs</c> returns when no <c>limit</c> is given.</summary>
    public int DefaultListLimit { get; set; } = 100;

    /// <summary>
    /// How long an event stream may be silent before the server sends a comment line (<c>: keep-alive</c>), so proxies
    /// keep the connection of a run that waits (15 seconds by default; zero for never).
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The clock runs (and heartbeats) use; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>
    /// Where the server's runs execute: null for in the server's process; an executor such as Baton.Orleans'
    /// <c>BatonCluster</c> to hand them to a cluster's workers instead — starting, answering, resuming, cancelling and
    /// forking then go to the run wherever it executes, never into the server's process, and the server follows the runs
    /// through the store's journal. An <see cref="IRunExecutor"/> registered in the application's services is used when
    /// this is null. The store must be the one the executors share.
    /// </summary>
    public IRunExecutor? Executor { get; set; }

    /// <summary>Who the server is when it holds runs' leases; by default <c>baton:{machine}:{process}:{random}</c>, as the command's.</summary>
    public string? Owner { get; set; }
}
