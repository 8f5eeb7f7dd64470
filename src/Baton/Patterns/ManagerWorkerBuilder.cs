namespace Baton;

/// <summary>
/// Hierarchical manager-worker: a classifier routes each task to a specialist, a validator
/// checks the answer, and on rejection another specialist of the route gets the task, up to a limit.
/// </summary>
public sealed class ManagerWorkerBuilder : StepPatternBuilder<ManagerWorkerBuilder, RouteStep>
{
    private readonly Dictionary<string, IReadOnlyList<IAgent>> _routes = new(StringComparer.OrdinalIgnoreCase);
    private IAgent? _classifier;
    private IAgent? _validator;
    private string? _default;
    private int _maxAttempts = 2;

    /// <summary>Starts a manager-worker workflow called <paramref name="name"/>.</summary>
    public ManagerWorkerBuilder(string name)
        : base(name)
    {
    }

    /// <summary>An agent classifies: it replies with a route key, or <c>{ "route": key, "context": ... }</c>.</summary>
    public ManagerWorkerBuilder Classify(IAgent classifier)
    {
        _classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
        return this;
    }

    /// <summary>A function classifies: it returns a route key.</summary>
    public ManagerWorkerBuilder Classify(Func<Payload, string> classify)
    {
        ArgumentNullException.ThrowIfNull(classify);
        return Classify(Agent.Create("classify", input => Payload.FromText(classify(input))));
    }

    /// <summary>Adds a route and its specialists, tried in this order when answers are rejected.</summary>
    public ManagerWorkerBuilder Route(string key, params IAgent[] specialists)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        _routes[key] = specialists;
        return this;
    }

    /// <summary>The route for tasks the classifier cannot place.</summary>
    public ManagerWorkerBuilder Default(string key)
    {
        _default = key;
        return this;
    }

    /// <summary>An agent validates each answer (it receives a <see cref="RouteAnswer"/>; replies yes/no or <c>{ approved, reason }</c>).</summary>
    public ManagerWorkerBuilder Validate(IAgent validator)
    {
        _validator = validator ?? throw new ArgumentNullException(nameof(validator));
        return this;
    }

    /// <summary>A function validates each answer: null accepts it, text rejects it with that reason.</summary>
    public ManagerWorkerBuilder Validate(Func<RouteAnswer, string?> reject)
    {
        ArgumentNullException.ThrowIfNull(reject);
        return Validate(Agent.Create("validate", input =>
        {
            var reason = reject(input.Get<RouteAnswer>()!);
            return Payload.From(new RouteVerdict(reason is null, reason));
        }));
    }

    /// <summary>Specialists tried at most per task (2 by default).</summary>
    public ManagerWorkerBuilder MaxAttempts(int attempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        _maxAttempts = attempts;
        return this;
    }

    /// <summary>
    /// The routing as a step, to place inside another workflow. Specialists are tried one at a time, so
    /// <see cref="PatternBuilder{TBuilder}.MaxParallel"/> bounds the runs of the workflow <see cref="PatternBuilder{TBuilder}.Build"/> makes, not this step.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no classifier, or the default route is not one of the routes.</exception>
    public override RouteStep BuildStep(string? id = null)
    {
        if (_classifier is null) throw new InvalidOperationException($"manager-worker '{Name}' needs a classifier: call Classify");
        if (_default is not null && !_routes.ContainsKey(_default)) throw new InvalidOperationException($"the default route '{_default}' is not one of the routes");
        return new RouteStep(id ?? Name, _classifier, _routes, _validator) { DefaultRoute = _default, MaxAttempts = _maxAttempts };
    }
}
