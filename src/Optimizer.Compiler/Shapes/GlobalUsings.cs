// Optimizer.Onnx also has a Dim (a dimension as the model declares it); in the compiler, Dim is
// the traced size the builds compute with.
global using Dim = Optimizer.Compiler.Shapes.Dim;
