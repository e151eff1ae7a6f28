// The pass attributes and their enums are Optimizer.Runtime's, compiled in here from the runtime's
// own files (see the csproj): they are the passes' typed options and the one declaration of each enum.
global using Optimizer.Runtime;
