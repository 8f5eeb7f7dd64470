using Polly.CircuitBreaker;

namespace Baton;

/// <summary>A snapshot of a <see cref="Resource"/>: its queue, what its windows hold, its circuit.</summary>
/// <param name="Waiting">Calls waiting in the queue.</param>
/// <param name="InFlight">Calls holding a concurrency permit (0 without a <see cref="ResourceOptions.MaxConcurrency"/>).</param>
/// <param name="RequestsInWindow">Calls started in the current rolling window (0 without a request quota).</param>
/// <param name="TokensInWindow">Tokens reserved or reported in the current rolling window (0 without a token quota).</param>
/// <param name="TokenDebt">Reported tokens the window had no room for yet: they are charged before any call starts.</param>
/// <param name="Circuit">The circuit's state (<see cref="CircuitState.Closed"/> without a circuit breaker).</param>
public readonly record struct ResourceStatistics(int Waiting, int InFlight, int RequestsInWindow, long TokensInWindow, long TokenDebt, CircuitState Circuit);
