a = <<-EOT
	  x $${y} %%{z}
   
  EOT
b = "\u00e9\U0001F600\n" /* c */ // d
c = [1, -2.5e3, true, null, {k: "v", "q" = []},]
