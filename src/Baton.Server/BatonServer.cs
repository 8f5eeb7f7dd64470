using System.Globalization;
using Baton.AI;
using Baton.Server.Events;
using Baton.Server.Mcp;
using Baton.Server.Workflows;
using Baton.Storage;
using Baton.Yaml;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Baton.Server;

/// <summary>
/// What the endpoints share: the workflow files offered, the runtime that executes runs on the store, and the event
/// archives of the runs. One per application; disposing it interrupts the runs it executes (they stay resumable).
/// </summary>
internal sealed class BatonServer : IAsyncDisposable
{
    /// <summary>The key of the step that keeps a workflow file's inputs: journaled, but not one of the file's steps.</summary>
    public const string InputsKey = "1:inputs";

    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, BuiltWorkflowFile?> _built = new(StringComparer.Ordinal);
    private readonly CancellationTokenRegistration _onStopping;

    public BatonServer(IOptions<BatonServerOptions> options, ILoggerFactory? loggerFactory = null, IHostApplicationLifetime? lifetime = null, IRunExecutor? executor = null)
    {
        Options = options.Value;
        Executor = Options.Executor ?? executor;
        var store = Options.Store ?? throw new InvalidOperationException("AddBatonServer needs a store: set BatonServerOptions.Store");
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxRequestBodyBytes, 1, nameof(Options.MaxRequestBodyBytes));
        Catalog = WorkflowCatalog.Load(Options.WorkflowFiles);
        Runtime = new BatonRuntime(new BatonOptions
        {
            Store = store,
            TimeProvider = Options.TimeProvider,
            LoggerFactory = loggerFactory,
            // The command's owner format: `baton runs resume` knows a killed server's runs are free to take.
            Owner = Options.Owner ?? string.Create(CultureInfo.InvariantCulture, $"baton:{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}"),
            AnswerValidator = JsonSchemaAnswerValidator.Validate,
            WorkflowResolver = record => Resolve(record)?.Workflow,
        });
        foreach (var offered in Catalog.Workflows)
        {
            AddResources(offered.Built);
            // A server that hands runs on starts none here, those its files' triggers would start included.
            if (Executor is null) offered.Built.Subscribe(Runtime);
        }

        // Streams end when the application stops, before the runtime is disposed: a host waits for its requests first.
        _onStopping = lifetime?.ApplicationStopping.Register(_stopping.Cancel) ?? default;
        Archives = new RunEventArchives(Runtime, [InputsKey], (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Baton.Server"), _stopping.Token) { FollowsStore = Executor is not null };
        Tools = new WorkflowTools(this);
        Usages = new Http.RunUsages(store);
    }

    public BatonServerOptions Options { get; }

    public WorkflowCatalog Catalog { get; }

    /// <summary>Where runs execute when not here (a cluster's workers); null when this server executes them.</summary>
    public IRunExecutor? Executor { get; }

    public BatonRuntime Runtime { get; }

    public RunEventArchives Archives { get; }

    /// <summary>The workflow files as MCP tools (<c>/mcp</c> and <c>baton mcp</c>).</summary>
    public WorkflowTools Tools { get; }

    /// <summary>What each run spent, for the runs list.</summary>
    public Http.RunUsages Usages { get; }

    /// <summary>Cancelled when the application stops.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>
    /// The workflow a stored run runs, rebuilt from the definition stored with it (never from the disk, so an edited file
    /// changes no run already started); null when the run stored none this server can read.
    /// </summary>
    public BuiltWorkflowFile? Resolve(RunRecord record)
    {
        var bundle = StoredWorkflowFile.TryParse(record.Definition);
        if (bundle is null) return null;
        var built = Build(bundle, out _);
        return built?.Workflow.Name == record.Workflow ? built : null;
    }

    /// <summary>Builds a stored or offered workflow, once per definition; null and the problems when it cannot be run.</summary>
    public BuiltWorkflowFile? Build(StoredWorkflowFile bundle, out IReadOnlyList<WorkflowFileError> problems)
    {
        var key = bundle.ToJson();
        lock (_built)
        {
            if (_built.TryGetValue(key, out var known))
            {
                problems = [];
                if (known is not null) return known;
            }
        }

        (var built, problems) = bundle.Build();
        if (built is null) return null;
        AddResources(built);
        lock (_built) return _built.TryAdd(key, built) ? built : _built[key]!;
    }

    private void AddResources(BuiltWorkflowFile built)
    {
        lock (Runtime.Resources)
        {
            foreach (var (name, resource) in built.Resources)
            {
                if (!Runtime.Resources.TryGet(name, out _)) Runtime.Resources.Add(name, resource);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _onStopping.DisposeAsync().ConfigureAwait(false);
        await Runtime.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
