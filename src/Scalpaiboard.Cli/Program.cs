Console.Error.WriteLine("scalp: not built yet.");
return 1;
