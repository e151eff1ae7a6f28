// The passes' options and enums are Optimizer.Runtime's (compiled into Optimizer.Passes).
global using Optimizer.Runtime;
