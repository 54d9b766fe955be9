// go-listen NAME: a Go server of the abstract NAME.  Go makes its own
// system calls, past any preload library.  Prints "listening pid=N",
// answers one connection with "echo go", and exits.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	l, err := net.Listen("unix", "@"+os.Args[1])
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(3)
	}
	fmt.Printf("listening pid=%d\n", os.Getpid())
	c, err := l.Accept()
	if err == nil {
		c.Write([]byte("echo go\n"))
		c.Close()
	}
}
