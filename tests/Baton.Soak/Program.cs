using Baton.Soak;

// baton-soak soak|fuzz [options]: see docs/reliability.md. Exit 0 when every check held, 1 when one failed, 2 for bad usage.
return await SoakCommand.RunAsync(args);
