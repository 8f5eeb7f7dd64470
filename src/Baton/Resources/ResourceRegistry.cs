using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Baton;

/// <summary>
/// The named resources of a <see cref="BatonRuntime"/>, shared by all its runs: a step whose
/// <see cref="Step.Resource"/> names one waits for its quotas and goes through its circuit breaker.
/// </summary>
public sealed class ResourceRegistry : IReadOnlyCollection<Resource>, IDisposable
{
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private Dictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private bool _disposed;

    internal ResourceRegistry(TimeProvider timeProvider)
    {
        _time = timeProvider;
    }

    /// <summary>
    /// The quota these resources share with other processes (a cluster's workers), or null when each process's quotas
    /// are its own. Calls of a resource with a quota take a permit of it first.
    /// </summary>
    public ISharedQuota? SharedQuota { get; set; }

    /// <summary>Resources added so far.</summary>
    public int Count => _resources.Count;

    /// <summary>The resource called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">There is none; the message suggests a near name.</exception>
    public Resource this[string name] => TryGet(name, out var resource) ? resource : throw new KeyNotFoundException(Unknown(name));

    /// <summary>Adds a resource on the runtime's clock; its name must be new.</summary>
    public Resource Add(string name, ResourceOptions options)
    {
        var resource = new Resource(name, options, _time) { Registry = this };
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_resources.ContainsKey(name))
            {
                resource.Dispose();
                throw new ArgumentException($"a resource named '{name}' already exists", nameof(name));
            }

            // Copy on write: steps look resources up without a lock.
            _resources = new Dictionary<string, Resource>(_resources, StringComparer.Ordinal) { [name] = resource };
        }

        return resource;
    }

    /// <summary>Finds a resource by name.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out Resource? resource)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Volatile.Read(ref _resources).TryGetValue(name, out resource);
    }

    /// <inheritdoc/>
    public IEnumerator<Resource> GetEnumerator() => Volatile.Read(ref _resources).Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every resource: calls still waiting fail.</summary>
    public void Dispose()
    {
        Dictionary<string, Resource> resources;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            resources = _resources;
        }

        foreach (var resource in resources.Values) resource.Dispose();
    }

    /// <summary>Throws when a step of <paramref name="workflow"/>, or of a workflow nested in it, names a resource this registry does not have.</summary>
    /// <exception cref="WorkflowValidationException">Lists every unknown name and the steps using it.</exception>
    internal void Validate(Workflow workflow)
    {
        var uses = workflow.ResourceUses;
        if (uses.Count == 0) return;
        List<string>? problems = null;
        foreach (var (stepId, name) in uses)
        {
            if (!TryGet(name, out _)) (problems ??= []).Add($"step '{stepId}': {Unknown(name)}");
        }

        if (problems is not null) throw new WorkflowValidationException(workflow.Name, problems);
    }

    internal static (string StepId, string Resource)[] CollectUses(Workflow root)
    {
        var uses = new List<(string, string)>();
        var seen = new HashSet<Workflow>();
        var pending = new Queue<Workflow>([root]);
        while (pending.TryDequeue(out var workflow))
        {
            if (!seen.Add(workflow)) continue;
            foreach (var step in workflow.Steps)
            {
                if (step.Resource is { } name) uses.Add((step.Id, name));
                foreach (var (_, child) in step.Children) pending.Enqueue(child);
            }
        }

        return [.. uses];
    }

    internal string Unknown(string name) =>
        $"there is no resource '{name}'{WorkflowBuilder.Suggest(name, Volatile.Read(ref _resources).Keys)}; add it with BatonOptions.Resources or runtime.Resources.Add";
}
