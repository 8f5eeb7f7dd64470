namespace Baton;

/// <summary>What a specialist receives from a manager-worker route: the task and the manager's context.</summary>
/// <param name="Task">The original input.</param>
/// <param name="Route">The route the classifier chose.</param>
/// <param name="Context">What the manager added (a classifier replying <c>{ route, context }</c>), or null.</param>
/// <param name="Attempt">1 for the first specialist, 2 for the next after a rejection, ...</param>
/// <param name="Rejections">Why earlier specialists' answers were rejected.</param>
public sealed record RouteTask(Payload Task, string Route, Payload? Context, int Attempt, IReadOnlyList<Rejection> Rejections);

/// <summary>A specialist's answer the validator turned down.</summary>
/// <param name="Specialist">The specialist's name.</param>
/// <param name="Output">Its answer, or null when it failed.</param>
/// <param name="Reason">Why it was rejected.</param>
public sealed record Rejection(string Specialist, Payload? Output, string Reason);

/// <summary>What a validator receives: the task, the route, and one specialist's answer.</summary>
/// <param name="Task">The original input.</param>
/// <param name="Route">The chosen route.</param>
/// <param name="Specialist">Who answered.</param>
/// <param name="Output">The answer to judge.</param>
public sealed record RouteAnswer(Payload Task, string Route, string Specialist, Payload Output);
